//! A small fuzzer for stable Rust, run as ordinary tests: seeded cases, each a valid sample of a
//! decoder's input mutated the ways outside input goes wrong (bytes flipped, cut or spliced, JSON
//! values of the wrong type or size, odd Unicode, NULs, BOMs, deep nesting, long lines). No
//! coverage feedback: the samples and mutations carry the structure instead.
//!
//! Shared by `core/tests/fuzz.rs` and `server/tests/fuzz_http.rs` (through `#[path]`), so it uses
//! only std, serde_json and core.
//!
//! - `YINGXIAO_FUZZ_SECONDS=600`: each target runs for that long instead of its short count.
//! - `YINGXIAO_FUZZ_SEED=n`: the seed the cases are made from (a fixed one by default, so the
//!   test command always runs the same cases).
//! - `YINGXIAO_FUZZ_CASE=i`: only case `i`, to replay a failure; a failing case prints both.
#![allow(dead_code)] // each test file uses its own part

use std::time::{Duration, Instant};

use serde_json::{Map, Number, Value};

pub mod push;

/// The seed of the test command's cases.
pub const DEFAULT_SEED: u64 = 0x5949_4e47_5849_414f;

/// SplitMix64: a few lines, and its stream never changes with a crate's version, so a printed
/// seed replays the same case for as long as the samples stay the same.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A length that is usually small and now and then large.
    pub fn length(&mut self, large: usize) -> usize {
        match self.below(10) {
            0 => self.below(large + 1),
            1 => self.below(64),
            _ => self.below(8),
        }
    }
}

fn mix(mut h: u64, bytes: &[u8]) -> u64 {
    // FNV-1a: the target's name picks its own stream of cases.
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01B3);
    }
    h
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text:?} is not a number")))
}

/// The cases of one target: `short` of them in the test command, or as many as fit in
/// `YINGXIAO_FUZZ_SECONDS`.
pub struct Cases {
    target: &'static str,
    seed: u64,
    next: u64,
    ran: u64,
    until: Until,
    started: Instant,
}

enum Until {
    Count(u64),
    Deadline(Instant),
    Only(u64),
}

pub fn cases(target: &'static str, short: u64) -> Cases {
    let seed = env_number("YINGXIAO_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let started = Instant::now();
    let (next, until) = match (
        env_number("YINGXIAO_FUZZ_CASE"),
        env_number("YINGXIAO_FUZZ_SECONDS"),
    ) {
        (Some(case), _) => (case, Until::Only(case)),
        (None, Some(seconds)) => (0, Until::Deadline(started + Duration::from_secs(seconds))),
        (None, None) => (0, Until::Count(short)),
    };
    Cases {
        target,
        seed,
        next,
        ran: 0,
        until,
        started,
    }
}

impl Iterator for Cases {
    type Item = (Rng, Case);

    fn next(&mut self) -> Option<(Rng, Case)> {
        let more = match self.until {
            Until::Count(count) => self.next < count,
            Until::Deadline(at) => Instant::now() < at,
            Until::Only(case) => self.next == case,
        };
        if !more {
            return None;
        }
        let index = self.next;
        self.next += 1;
        self.ran += 1;
        let stream = mix(mix(self.seed, self.target.as_bytes()), &index.to_le_bytes());
        let case = Case {
            target: self.target,
            seed: self.seed,
            index,
            input: String::new(),
        };
        Some((Rng::new(stream), case))
    }
}

impl Drop for Cases {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            eprintln!(
                "fuzz {}: {} cases in {:.1?} (YINGXIAO_FUZZ_SEED={:#x})",
                self.target,
                self.ran,
                self.started.elapsed(),
                self.seed
            );
        }
    }
}

/// One case (beside its random numbers): the input it made, printed with the replay command if
/// the case panics (a failed assertion or a crash of the code under test).
pub struct Case {
    target: &'static str,
    seed: u64,
    pub index: u64,
    input: String,
}

impl Case {
    /// Keeps a description of the input for the failure message (the first 4,000 characters).
    pub fn input(&mut self, input: &dyn std::fmt::Debug) {
        let mut text = format!("{input:?}");
        if text.len() > 4000 {
            let mut cut = 4000;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push('…');
        }
        self.input = text;
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The test harness names each test's thread after the test.
            let test = std::thread::current().name().unwrap_or("").to_owned();
            eprintln!(
                "\nfuzz {} failed on case {}; replay it with\n  YINGXIAO_FUZZ_SEED={:#x} YINGXIAO_FUZZ_CASE={} \
                 cargo test -p {} --test {} {test} -- --exact\ninput: {}\n",
                self.target,
                self.index,
                self.seed,
                self.index,
                env!("CARGO_PKG_NAME"),
                env!("CARGO_CRATE_NAME"),
                self.input
            );
        }
    }
}

/// How far a target's cases got (parsed, accepted, applied…), printed at the end: with no coverage
/// feedback, this is what says the samples still reach past the first check.
pub struct Tally {
    target: &'static str,
    counts: Vec<(&'static str, u64)>,
}

impl Tally {
    pub fn new(target: &'static str) -> Self {
        Tally {
            target,
            counts: Vec::new(),
        }
    }

    pub fn add(&mut self, what: &'static str) {
        match self.counts.iter_mut().find(|(name, _)| *name == what) {
            Some((_, count)) => *count += 1,
            None => self.counts.push((what, 1)),
        }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let counts: Vec<String> = self
                .counts
                .iter()
                .map(|(name, count)| format!("{name} {count}"))
                .collect();
            eprintln!("fuzz {}: {}", self.target, counts.join(", "));
        }
    }
}

/// Text that decoders get wrong: control characters, marks, invisible and wide characters,
/// separators of the formats here, numbers at the edges of their types.
pub const TOKENS: &[&str] = &[
    "\0",
    "\u{feff}",
    "\u{fffd}",
    "\u{202e}",
    "\u{200b}",
    "\u{2028}",
    "e\u{301}",
    "\u{1F600}",
    "\u{1D54F}",
    "\u{130}",
    "\u{df}",
    "\u{1c5}",
    "客户",
    "\r\n",
    "\r",
    "\n",
    "\t",
    " ",
    "\"",
    "'",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\udfff\\ud800",
    ",",
    ";",
    "|",
    ":",
    "=",
    "~",
    ".",
    "-",
    "_",
    "%00",
    "%",
    "&",
    "#",
    "0",
    "-0",
    "-1",
    "+1",
    "1.5",
    "1e309",
    "-1e309",
    "5e-324",
    "NaN",
    "inf",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "null",
    "true",
    "[]",
    "{}",
    "0193b3c4-7a1e-7000-8000-000000000001",
    "<",
    "&amp;",
    "]]>",
];

/// Bytes that are no text at all, or mark an encoding: broken UTF-8, surrogates, BOMs.
pub const RAW_TOKENS: &[&[u8]] = &[
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\xff",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x81\x30",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"PK\x03\x04",
];

/// A string a decoder should refuse or keep intact.
pub fn odd_string(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => rng.pick(TOKENS).to_string(),
        1 => (0..rng.length(40))
            .map(|_| *rng.pick(TOKENS))
            .collect::<String>(),
        2 => {
            let unit = rng.pick(TOKENS).to_string();
            unit.repeat(rng.between(1, 5_000))
        }
        3 => (0..rng.length(200)).map(|_| random_char(rng)).collect(),
        4 => String::new(),
        _ => format!(
            "{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}",
            rng.next_u64() as u32,
            rng.next_u64() as u16,
            rng.below(0x1000),
            rng.below(0x1000),
            rng.next_u64() & 0xffff_ffff_ffff
        ),
    }
}

/// Any character, usually a plain one.
pub fn random_char(rng: &mut Rng) -> char {
    match rng.below(4) {
        0 | 1 => char::from(rng.between(0x20, 0x7e) as u8),
        2 => char::from_u32(rng.between(0, 0x10ffff) as u32).unwrap_or('\u{fffd}'),
        _ => char::from_u32(rng.between(0x4e00, 0x9fff) as u32).unwrap_or('中'),
    }
}

/// A number at an edge: of u64, i64, u32, f64, of JSON's integers, or a float that is whole.
pub fn odd_number(rng: &mut Rng) -> Value {
    let n = |v: f64| Number::from_f64(v).map_or(Value::Null, Value::Number);
    match rng.below(14) {
        0 => Value::from(0),
        1 => Value::from(-1),
        2 => Value::from(u64::MAX),
        3 => Value::from(i64::MIN),
        4 => Value::from(i64::MAX),
        5 => Value::from(u64::from(u32::MAX) + 1),
        6 => n(1.5),
        7 => n(820.0),
        8 => n(1e308),
        9 => n(-1e308),
        10 => n(5e-324),
        11 => n(9_007_199_254_740_993.0),
        12 => Value::from(rng.next_u64()),
        _ => Value::from(rng.next_u64() as i64),
    }
}

/// A value of any JSON type, some of them odd, some of them nested deeper than decoders allow.
pub fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => Value::Bool(rng.one_in(2)),
        2 | 3 => odd_number(rng),
        4 | 5 => Value::String(odd_string(rng)),
        6 => Value::Array((0..rng.length(20)).map(|_| odd_number(rng)).collect()),
        7 => {
            let mut object = Map::new();
            for _ in 0..rng.length(10) {
                object.insert(odd_string(rng), odd_number(rng));
            }
            Value::Object(object)
        }
        _ => {
            let mut nested = Value::Null;
            for _ in 0..rng.between(1, 200) {
                nested = if rng.one_in(2) {
                    Value::Array(vec![nested])
                } else {
                    Value::Object(Map::from_iter([("a".to_owned(), nested)]))
                };
            }
            nested
        }
    }
}

/// Changes `value` in one to three places: a value replaced by one of another type or an edge of
/// its own, a key dropped, renamed or added, an array shortened, emptied, cloned or grown.
pub fn mutate_json(rng: &mut Rng, value: &mut Value) {
    for _ in 0..rng.between(1, 3) {
        let depth = rng.below(6);
        mutate_node(rng, value, depth);
    }
}

fn mutate_node(rng: &mut Rng, value: &mut Value, depth: usize) {
    // Walk down `depth` steps where there is somewhere to go, then change what is there.
    if depth > 0 {
        let child = match value {
            Value::Object(object) if !object.is_empty() => {
                let at = rng.below(object.len());
                object.values_mut().nth(at)
            }
            Value::Array(items) if !items.is_empty() => {
                let at = rng.below(items.len());
                items.get_mut(at)
            }
            _ => None,
        };
        if let Some(child) = child {
            return mutate_node(rng, child, depth - 1);
        }
    }
    match value {
        Value::Object(object) if !object.is_empty() && rng.one_in(2) => {
            let key = object.keys().nth(rng.below(object.len())).cloned().unwrap();
            match rng.below(3) {
                0 => {
                    object.remove(&key);
                }
                1 => {
                    let moved = object.remove(&key).unwrap();
                    let renamed = if rng.one_in(2) {
                        key.to_uppercase() + *rng.pick(TOKENS)
                    } else {
                        odd_string(rng)
                    };
                    object.insert(renamed, moved);
                }
                _ => {
                    object.insert(odd_string(rng), odd_value(rng));
                }
            }
        }
        Value::Array(items) if !items.is_empty() && rng.one_in(2) => match rng.below(5) {
            0 => {
                items.remove(rng.below(items.len()));
            }
            1 => items.clear(),
            2 => {
                let copy = items[rng.below(items.len())].clone();
                let at = rng.below(items.len() + 1);
                items.insert(at, copy);
            }
            3 => {
                let copy = items[rng.below(items.len())].clone();
                let count = rng.between(1, 600);
                items.extend(std::iter::repeat_n(copy, count));
            }
            _ => {
                let (a, b) = (rng.below(items.len()), rng.below(items.len()));
                items.swap(a, b);
            }
        },
        Value::String(text) if rng.one_in(2) => {
            let token = odd_string(rng);
            match rng.below(3) {
                0 => text.push_str(&token),
                1 => {
                    let mut at = rng.below(text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    text.insert_str(at, &token);
                }
                _ => {
                    let mut at = rng.below(text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    text.truncate(at);
                }
            }
        }
        Value::Number(_) if rng.one_in(2) => *value = odd_number(rng),
        _ => *value = odd_value(rng),
    }
}

/// Changes bytes in one to four places: a bit flipped, a byte or a token put in, a range cut,
/// repeated or swapped, the end cut off, or a splice with another sample.
pub fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, samples: &[&[u8]]) {
    for _ in 0..rng.between(1, 4) {
        let len = data.len();
        match rng.below(10) {
            0 if len > 0 => {
                let at = rng.below(len);
                data[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                data[at] = *rng.pick(b"\0\xff\x7f\x80\",\n\r\\~.-09{}[]:;|\t =");
            }
            2 => {
                let at = rng.below(len + 1);
                let token = rng.pick(TOKENS).as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            3 => {
                let at = rng.below(len + 1);
                let token = *rng.pick(RAW_TOKENS);
                data.splice(at..at, token.iter().copied());
            }
            4 if len > 0 => {
                let from = rng.below(len);
                let to = (from + rng.length(len)).min(len);
                data.drain(from..to);
            }
            5 if len > 0 => {
                let from = rng.below(len);
                let to = (from + 1 + rng.length(64)).min(len);
                let piece = data[from..to].to_vec();
                let times = if rng.one_in(8) {
                    rng.between(100, 20_000)
                } else {
                    rng.between(1, 4)
                };
                let at = rng.below(data.len() + 1);
                let grown: Vec<u8> = piece.repeat(times);
                data.splice(at..at, grown);
            }
            6 => data.truncate(rng.below(len + 1)),
            7 if !samples.is_empty() => {
                let other = *rng.pick(samples);
                let keep = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(keep);
                data.extend_from_slice(&other[from..]);
            }
            8 if len > 1 => {
                let a = rng.below(len);
                let b = rng.below(len);
                data.swap(a, b);
            }
            _ => {
                let at = rng.below(len + 1);
                let run = *rng.pick(b"9a[{\"\n, \0");
                let count = rng.between(1, 70_000);
                data.splice(at..at, std::iter::repeat_n(run, count));
            }
        }
    }
}

/// `text` with its bytes mutated, made text again (broken UTF-8 becomes U+FFFD), for decoders
/// that take `&str`.
pub fn mutate_text(rng: &mut Rng, text: &str, samples: &[&str]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let samples: Vec<&[u8]> = samples.iter().map(|s| s.as_bytes()).collect();
    mutate_bytes(rng, &mut bytes, &samples);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A JSON body made from a valid one: mostly its structure mutated, sometimes its text, sometimes
/// both, now and then no JSON at all.
pub fn mutated_body(rng: &mut Rng, valid: &Value, samples: &[&[u8]]) -> Vec<u8> {
    let mut value = valid.clone();
    match rng.below(10) {
        0 => {
            let mut bytes = serde_json::to_vec(&value).unwrap();
            mutate_bytes(rng, &mut bytes, samples);
            bytes
        }
        1 => {
            mutate_json(rng, &mut value);
            let mut bytes = serde_json::to_vec(&value).unwrap();
            mutate_bytes(rng, &mut bytes, samples);
            bytes
        }
        2 if rng.one_in(3) => (0..rng.length(4096))
            .map(|_| rng.next_u64() as u8)
            .collect(),
        2 => {
            // A key twice: serde_json's `Value` cannot hold that, so it is made in the text.
            let text = serde_json::to_string(&value).unwrap();
            match text.strip_prefix('{') {
                Some(rest) if rest.len() > 1 => {
                    let extra = match value.as_object().and_then(|o| o.keys().next()) {
                        Some(key) => format!("{{{}:{},", Value::from(key.as_str()), odd_value(rng)),
                        None => "{".to_owned(),
                    };
                    (extra + rest).into_bytes()
                }
                _ => text.into_bytes(),
            }
        }
        _ => {
            mutate_json(rng, &mut value);
            serde_json::to_vec(&value).unwrap()
        }
    }
}
