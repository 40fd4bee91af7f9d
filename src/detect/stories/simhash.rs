//! Shingles of a term list, their stable 64-bit hashes and the SimHash
//! sketch over them.

use super::terms::Terms;

/// Shingle length in words, besides single words (module docs: why not 3).
pub(super) const SHINGLE: usize = 2;

/// Stable 64-bit hash of a shingle (FNV-1a with a splitmix64 finaliser so
/// every output bit depends on every input byte). Stored fingerprints must
/// not change between Rust releases, so no `DefaultHasher`.
#[cfg(test)]
pub(super) fn hash_shingle<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    mix(parts.into_iter().fold(FNV_OFFSET, fnv_part))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a state after hashing `part` and a separator from `state`.
fn fnv_part(mut h: u64, part: &str) -> u64 {
    for &b in part.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= 0x1f;
    h.wrapping_mul(0x0000_0100_0000_01b3)
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Shingles of a term list: every word and every run of `SHINGLE` words.
pub(super) fn shingles(terms: &Terms, out: &mut Vec<u64>) {
    let n = terms.len();
    out.reserve(2 * n);
    // The state after each word is its own shingle's hash before mixing and
    // where the run starting at it goes on: every word is hashed once for
    // itself and once per later place in a run, not once per place.
    let states: Vec<u64> = (0..n).map(|i| fnv_part(FNV_OFFSET, terms.get(i))).collect();
    out.extend(states.iter().map(|&h| mix(h)));
    if n >= SHINGLE {
        out.extend(
            (0..=n - SHINGLE).map(|i| {
                mix((i + 1..i + SHINGLE).fold(states[i], |h, k| fnv_part(h, terms.get(k))))
            }),
        );
    }
}

/// `SIGNS[b][k]`: +1 when bit `k` of byte `b` is set, else -1.
const SIGNS: [[i32; 8]; 256] = {
    let mut t = [[0i32; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut k = 0;
        while k < 8 {
            t[b][k] = if (b >> k) & 1 == 1 { 1 } else { -1 };
            k += 1;
        }
        b += 1;
    }
    t
};

/// SimHash of groups of features, each group with its weight: bit `k` is
/// set when the weighted sum of ±1 (bit `k` of each feature set or clear)
/// is positive.
pub(super) fn simhash(groups: &[(&[u64], i32)]) -> u64 {
    let mut acc = [0i32; 64];
    for &(features, weight) in groups {
        // Per-bit sums of ±1, a byte of the feature at a time from a table:
        // eight additions that vectorise, where a loop over bits did not.
        // No overflow: that would take 2^31 features.
        let mut sums = [0i32; 64];
        for &h in features {
            for (byte, lanes) in sums.chunks_exact_mut(8).enumerate() {
                let signs = &SIGNS[usize::from((h >> (8 * byte)) as u8)];
                for (lane, sign) in lanes.iter_mut().zip(signs) {
                    *lane += sign;
                }
            }
        }
        for (a, sum) in acc.iter_mut().zip(sums) {
            *a = a.saturating_add(sum.saturating_mul(weight));
        }
    }
    acc.iter()
        .enumerate()
        .filter(|(_, a)| **a > 0)
        .fold(0u64, |fp, (bit, _)| fp | 1 << bit)
}
