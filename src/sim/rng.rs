//! The simulation's only source of randomness: one seeded SplitMix64 generator.
//!
//! Why hand-written: the core needs a handful of numbers (task ids, ENI addresses, dynamic host
//! ports, response-time jitter), must give the same sequence on every platform and in wasm, and
//! must never touch OS entropy. SplitMix64 is ten lines, well studied, and has no dependencies.

/// A deterministic pseudo-random generator. Same seed → same sequence, everywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi` (returns `lo` when the range is empty).
    pub fn range_u64(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        let span = hi - lo + 1;
        lo + self.next_u64() % span
    }

    /// `n` lowercase hex digits, as in ECS task ids and ARN suffixes.
    pub fn hex(&mut self, n: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(n);
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.next_u64();
            }
            out.push(DIGITS[(bits & 0xf) as usize] as char);
            bits >>= 4;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn range_stays_inside() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.range_u64(32768, 61000);
            assert!((32768..=61000).contains(&v));
        }
        assert_eq!(r.range_u64(5, 5), 5);
        assert_eq!(r.range_u64(9, 3), 9);
    }

    #[test]
    fn hex_has_requested_length() {
        let mut r = Rng::new(3);
        let h = r.hex(32);
        assert_eq!(h.len(), 32);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
