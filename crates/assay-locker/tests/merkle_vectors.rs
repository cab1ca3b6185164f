//! The Merkle tree against the published RFC 6962 test vectors (the Certificate Transparency
//! reference implementation's eight leaves, tree heads, inclusion and consistency proofs), so
//! that the tree hash and both kinds of proof are checked against an independent
//! implementation, not only by round trip through our own code. RFC 9162 keeps the same tree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_locker::merkle::{self, Hash};

/// The leaf inputs, hex.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Tree heads by size (index 0: the empty tree).
const ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const P96: &str = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
const P5F: &str = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
const P6B: &str = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
const PBC: &str = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
const PCA: &str = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
const P0E: &str = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";

/// Inclusion proofs: (0-based leaf index, tree size, audit path).
const INCLUSION: &[(usize, usize, &[&str])] = &[
    (0, 1, &[]),
    (0, 8, &[P96, P5F, P6B]),
    (5, 8, &[PBC, PCA, ROOTS[4]]),
    (2, 3, &[ROOTS[2]]),
    (1, 5, &[ROOTS[1], P5F, PBC]),
];

/// Consistency proofs: (old size, new size, proof).
const CONSISTENCY: &[(usize, usize, &[&str])] = &[
    (1, 1, &[]),
    (1, 8, &[P96, P5F, P6B]),
    (6, 8, &[P0E, PCA, ROOTS[4]]),
    (2, 5, &[P5F, PBC]),
];

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn leaves(n: usize) -> Vec<Hash> {
    LEAVES[..n]
        .iter()
        .map(|l| merkle::leaf_hash(&hex::decode(l).unwrap()))
        .collect()
}

fn path(p: &[&str]) -> Vec<Hash> {
    p.iter().map(|x| h(x)).collect()
}

#[test]
fn tree_heads_match_the_reference_for_every_size() {
    for (size, want) in ROOTS.iter().enumerate() {
        assert_eq!(
            hex::encode(merkle::root(&leaves(size))),
            *want,
            "tree head of size {size}"
        );
    }
}

#[test]
fn inclusion_proofs_match_the_reference_and_verify() {
    for &(index, size, want) in INCLUSION {
        let all = leaves(size);
        let made = merkle::inclusion_proof(index, &all);
        assert_eq!(
            made,
            path(want),
            "inclusion proof of leaf {index} in {size}"
        );
        assert!(
            merkle::verify_inclusion(
                index as u64,
                size as u64,
                &all[index],
                &path(want),
                &h(ROOTS[size])
            ),
            "the reference proof of leaf {index} in {size} verifies"
        );
    }
}

#[test]
fn consistency_proofs_match_the_reference_and_verify() {
    for &(m, n, want) in CONSISTENCY {
        let made = merkle::consistency_proof(m, &leaves(n));
        assert_eq!(made, path(want), "consistency proof {m}..{n}");
        assert!(
            merkle::verify_consistency(m as u64, n as u64, &h(ROOTS[m]), &h(ROOTS[n]), &path(want)),
            "the reference proof {m}..{n} verifies"
        );
    }
}

#[test]
fn altered_reference_proofs_are_refused() {
    for &(index, size, want) in INCLUSION.iter().filter(|c| !c.2.is_empty()) {
        let mut bad = path(want);
        bad[0][0] ^= 1;
        let all = leaves(size);
        assert!(!merkle::verify_inclusion(
            index as u64,
            size as u64,
            &all[index],
            &bad,
            &h(ROOTS[size])
        ));
        // The right proof for the wrong leaf position.
        assert!(!merkle::verify_inclusion(
            (index as u64 + 1) % size as u64,
            size as u64,
            &all[index],
            &path(want),
            &h(ROOTS[size])
        ));
    }
    for &(m, n, want) in CONSISTENCY.iter().filter(|c| !c.2.is_empty()) {
        let mut bad = path(want);
        let last = bad.len() - 1;
        bad[last][31] ^= 0x80;
        assert!(!merkle::verify_consistency(
            m as u64,
            n as u64,
            &h(ROOTS[m]),
            &h(ROOTS[n]),
            &bad
        ));
    }
}
