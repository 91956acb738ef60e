//! Real archives written by the tests: zips and tarballs with escapes, links and bombs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

use crate::{EntryKind, Error, Limits, open, sha256_file, sha256_hex};

fn zip_with(path: &Path, build: impl FnOnce(&mut zip::ZipWriter<std::fs::File>)) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    build(&mut w);
    w.finish().unwrap();
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

#[test]
fn sha256_is_the_standard_digest() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("f");
    std::fs::write(&f, b"abc").unwrap();
    assert_eq!(sha256_file(&f, 10).unwrap(), sha256_hex(b"abc"));
    assert!(matches!(sha256_file(&f, 2), Err(Error::TooLarge { .. })));
}

#[test]
fn a_directory_zip_and_tarball_list_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("pkg");
    std::fs::create_dir_all(tree.join("app")).unwrap();
    std::fs::write(tree.join("app/main.py"), "print('hi')\n").unwrap();
    std::fs::write(tree.join("README"), "read me\n").unwrap();
    std::os::unix::fs::symlink("app/main.py", tree.join("entry.py")).unwrap();
    let zip_path = dir.path().join("pkg.zip");
    zip_with(&zip_path, |w| {
        w.add_directory("app/", deflated()).unwrap();
        w.start_file("app/main.py", deflated()).unwrap();
        w.write_all(b"print('hi')\n").unwrap();
        w.start_file("./README", deflated()).unwrap();
        w.write_all(b"read me\n").unwrap();
        w.add_symlink("entry.py", "app/main.py", deflated())
            .unwrap();
    });
    let tgz = dir.path().join("pkg.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&tgz).unwrap(),
            flate2::Compression::fast(),
        );
        let mut b = tar::Builder::new(gz);
        b.follow_symlinks(false);
        b.append_dir_all(".", &tree).unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let files = |p: &Path| {
        let mut v: Vec<(String, String)> = open(p, Limits::default())
            .unwrap()
            .entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.kind != EntryKind::Dir)
            .map(|e| (e.path, e.sha256))
            .collect();
        v.sort();
        v
    };
    let from_dir = files(&tree);
    assert_eq!(from_dir.len(), 3, "{from_dir:?}");
    assert_eq!(from_dir, files(&zip_path));
    assert_eq!(from_dir, files(&tgz));
}

#[test]
fn a_zip_slip_entry_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("slip.zip");
    zip_with(&z, |w| {
        w.start_file("ok.txt", deflated()).unwrap();
        w.write_all(b"fine").unwrap();
        w.start_file("../../etc/evil.sh", deflated()).unwrap();
        w.write_all(b"rm -rf /").unwrap();
    });
    let err = open(&z, Limits::default()).unwrap().entries().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Unsafe { .. }), "{msg}");
    assert!(
        msg.contains("`../../etc/evil.sh`") && msg.contains("climbs out"),
        "{msg}"
    );
    let z2 = dir.path().join("abs.zip");
    zip_with(&z2, |w| {
        w.start_file("/etc/passwd", deflated()).unwrap();
    });
    let msg = open(&z2, Limits::default())
        .unwrap()
        .entries()
        .unwrap_err()
        .to_string();
    assert!(msg.contains("absolute"), "{msg}");
}

#[test]
fn symlinks_out_of_the_tree_are_refused_in_zips_tarballs_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("link.zip");
    zip_with(&z, |w| {
        w.add_symlink("app/config", "../../../etc/shadow", deflated())
            .unwrap();
    });
    let msg = open(&z, Limits::default())
        .unwrap()
        .entries()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`app/config`") && msg.contains("points outside the tree"),
        "{msg}"
    );

    let t = dir.path().join("link.tar");
    {
        let mut b = tar::Builder::new(std::fs::File::create(&t).unwrap());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_link_name("/etc/passwd").unwrap();
        h.set_cksum();
        b.append_data(&mut h, "passwd", std::io::empty()).unwrap();
        b.finish().unwrap();
    }
    let msg = open(&t, Limits::default())
        .unwrap()
        .entries()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`passwd`") && msg.contains("`/etc/passwd`"),
        "{msg}"
    );

    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    std::os::unix::fs::symlink("../outside", tree.join("escape")).unwrap();
    let msg = open(&tree, Limits::default())
        .unwrap()
        .entries()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`escape`") && msg.contains("outside the tree"),
        "{msg}"
    );
}

#[test]
fn a_tar_entry_climbing_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("slip.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&t).unwrap(),
            flate2::Compression::fast(),
        );
        let mut b = tar::Builder::new(gz);
        let mut h = tar::Header::new_old();
        let name = b"../evil";
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_size(4);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, &b"evil"[..]).unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let msg = open(&t, Limits::default())
        .unwrap()
        .entries()
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`../evil`") && msg.contains("climbs out"),
        "{msg}"
    );
}

/// Sets the uncompressed size of every entry (local and central headers) to `size`.
fn patch_declared_size(bytes: &mut [u8], size: u32) {
    let le = size.to_le_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        match &bytes[i..i + 4] {
            [b'P', b'K', 3, 4] => bytes[i + 22..i + 26].copy_from_slice(&le),
            [b'P', b'K', 1, 2] => bytes[i + 24..i + 28].copy_from_slice(&le),
            _ => {}
        }
        i += 1;
    }
}

#[test]
fn a_zip_entry_declaring_one_gigabyte_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("big.zip");
    zip_with(&z, |w| {
        w.start_file("big.bin", deflated()).unwrap();
        w.write_all(&[0u8; 1000]).unwrap();
    });
    let mut bytes = std::fs::read(&z).unwrap();
    patch_declared_size(&mut bytes, 1 << 30);
    std::fs::write(&z, &bytes).unwrap();
    let started = std::time::Instant::now();
    let err = open(&z, Limits::default()).unwrap().entries().unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                size: 1_073_741_824,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("`big.bin`"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_compression_bomb_is_cut_at_the_entry_limit_even_when_its_header_lies() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("bomb.zip");
    zip_with(&z, |w| {
        w.start_file("zeros", deflated()).unwrap();
        w.write_all(&vec![0u8; 4 << 20]).unwrap();
    });
    let mut bytes = std::fs::read(&z).unwrap();
    assert!(bytes.len() < 64 * 1024, "4 MiB of zeros compress well");
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let err = open(&z, limits).unwrap().entries().unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    // The header now claims 100 bytes: the read is still bounded (or the zip reader
    // notices the lie); either way no 4 MiB entry comes out.
    patch_declared_size(&mut bytes, 100);
    std::fs::write(&z, &bytes).unwrap();
    let got = open(&z, limits).unwrap().entries();
    if let Ok(entries) = got {
        assert!(entries.iter().all(|e| e.data.len() <= 1 << 20));
    }
}

#[test]
fn entry_count_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("many.zip");
    zip_with(&z, |w| {
        for i in 0..20 {
            w.start_file(format!("f{i}"), deflated()).unwrap();
        }
    });
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let err = open(&z, limits).unwrap().entries().unwrap_err();
    assert!(err.to_string().contains("more than 10 entries"), "{err}");
}

#[test]
fn something_else_is_not_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.txt");
    std::fs::write(&f, "plain").unwrap();
    let err = open(&f, Limits::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("not a directory, zip, tar or tar.gz"),
        "{err}"
    );
    assert!(open(&dir.path().join("missing"), Limits::default()).is_err());
}
