//! The contract (docs/contract.md): mix, the job result, the item bodies and
//! their checksums, and the per-item server delays.

pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub fn job_result(i: u64, work: u64) -> u64 {
    (0..work).fold(i, |r, _| mix(r))
}

pub const FNV_BASIS: u64 = 0xCBF2_9CE4_8422_2325;
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;

/// The body checksum: FNV-1a 64 over the bytes.
pub fn fnv1a(body: &[u8]) -> u64 {
    body.iter().fold(FNV_BASIS, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// The checksum of item i's first `size` bytes, without the network.
pub fn item_checksum(i: u64, size: u64) -> u64 {
    let mut hash = FNV_BASIS;
    let mut x = i;
    let mut done = 0;
    while done < size {
        x = mix(x);
        for (b, byte) in x.to_le_bytes().iter().enumerate() {
            if done + (b as u64) < size {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(FNV_PRIME);
            }
        }
        done += 8;
    }
    hash
}

/// The delay (µs) a client asks the server for item i.
pub fn item_delay_us(dist: &str, mean: u64, seed: u64, i: u64) -> u64 {
    let stream = mix(seed ^ mix(i));
    let u = |n: u64| (mix(stream.wrapping_add(n)) >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let m = mean as f64;
    let d = match dist {
        "uniform" => 2.0 * m * u(0),
        "exp" => -m * (-u(0)).ln_1p(),
        "lognormal" if mean > 0 => {
            let z = (-2.0 * (1.0 - u(0)).ln()).sqrt() * (2.0 * std::f64::consts::PI * u(1)).cos();
            (m.ln() - 0.5 + z).exp()
        }
        "lognormal" => 0.0,
        _ => m,
    };
    d.round().clamp(0.0, 60_000_000.0) as u64
}
