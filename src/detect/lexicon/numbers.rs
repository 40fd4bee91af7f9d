//! Spelled numerals, so that "three-day truce" and "3-day truce" meet (AP
//! headline history, `history/apnews/`: "U.S.-brokered three-day truce" →
//! "US-brokered 3-day truce").

/// The digits a spelled numeral one to ten stands for (folded, apostrophes
/// dropped): English, and Russian and Ukrainian nominative and common
/// genitive forms.
pub fn numeral(w: &str) -> Option<&'static str> {
    Some(match w {
        "one" | "один" | "одна" | "одно" | "одне" => "1",
        "two" | "два" | "две" | "дві" | "двух" | "двох" => "2",
        "three" | "три" | "трех" | "трьох" => "3",
        "four" | "четыре" | "четырех" | "чотири" | "чотирьох" => "4",
        "five" | "пять" | "пяти" => "5",
        "six" | "шесть" | "шість" | "шести" => "6",
        "seven" | "семь" | "сім" | "семи" => "7",
        "eight" | "восемь" | "вісім" | "восьми" => "8",
        "nine" | "девять" | "девяти" => "9",
        "ten" | "десять" | "десяти" => "10",
        _ => return None,
    })
}

/// [`numeral`] for the English words only (one to ten).
pub fn english_numeral(w: &str) -> Option<&'static str> {
    if w.is_ascii() { numeral(w) } else { None }
}
