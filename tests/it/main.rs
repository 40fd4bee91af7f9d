//! The one integration-test binary: real HTTP servers on 127.0.0.1, the real
//! `newswatch` binary, real SQLite files in a temporary folder per test.

mod support;

mod bad_config;
mod churn;
mod cli;
mod completions;
mod config_files;
mod context_terms;
mod crash;
mod daemon;
mod demo;
mod detect;
mod digest_schedule;
mod disk_full;
mod edits_eval;
mod entity_list;
mod fetch;
mod files;
mod first_use;
mod first_use_config;
mod first_use_search;
mod hostile;
mod keyless;
mod mail;
mod mail_delivery;
mod mail_transport;
mod mutations;
mod ownership;
mod parse_corpus;
mod positions;
mod private_network;
mod real_systemd;
mod reasons;
mod relevance;
mod relevance_context;
mod relevance_feedback;
mod replay;
mod retention;
mod revision_mail;
mod service;
mod stepped_clock;
mod stories;
mod story_corrections;
mod story_mail;
mod tls_redirect;
