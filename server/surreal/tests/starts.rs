//! The server this package builds starts in memory on a loopback port and answers its health
//! check. (Building this test is also what makes cargo build the `surreal` binary together with
//! the rest of the workspace, with one set of features, so the engine compiles once.)

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The server on a loopback port of its own, in memory, killed when dropped (a failing test
/// leaves no server behind).
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_surreal"))
            .args(["start", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--user", "root", "--pass", "root", "--log", "warn"])
            .args(extra)
            .arg("memory")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_server_starts_in_memory_and_answers_its_health_check() {
    let server = Server::start(&[]);
    let port = server.port;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut answer = String::new();
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            answer.clear();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Runs `openssl` with `args` in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs openssl");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A private CA and a server certificate for localhost signed by it, as an operator of a
/// SurrealDB cluster with its own CA would have: (CA file, certificate, key).
fn private_ca(dir: &std::path::Path) -> (String, String, String) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=Utvag test CA",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &[
                "-keyout",
                "key.pem",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let p = |f: &str| dir.join(f).display().to_string();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ],
    );
    (p("ca.pem"), p("cert.pem"), p("key.pem"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_connects_over_wss_trusting_a_private_ca_and_refuses_a_certificate_it_cannot_verify(
) {
    use utvag_core::config::{CoreSettings, DbSettings, DEFAULT_DB_TIMEOUT};
    let dir = std::env::temp_dir().join(format!("utvag-wss-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (ca, cert, key) = private_ca(&dir);
    let server = Server::start(&["--web-crt", &cert, "--web-key", &key]);
    let port = server.port;
    let settings = |ca_file: Option<&str>| {
        let mut s = CoreSettings::for_tests();
        s.db = DbSettings {
            url: format!("wss://localhost:{port}"),
            namespace: "tests".into(),
            database: "wss".into(),
            username: Some("root".into()),
            password: Some("root".into()),
            timeout: DEFAULT_DB_TIMEOUT,
            ca_file: ca_file.map(Into::into),
        };
        s
    };
    // Trusting the private CA: the store is set up over TLS and answers.
    let trusted = utvag_core::AppState::init(settings(Some(&ca))).await;
    let reachable = match &trusted {
        Ok(state) => state.database_reachable().await,
        Err(_) => false,
    };
    // Trusting only the public authorities: the server's certificate is refused.
    let untrusted = utvag_core::AppState::init(settings(None)).await;
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(trusted.is_ok(), "{:?}", trusted.err());
    assert!(reachable);
    let refused = untrusted.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        !refused.is_empty(),
        "connected without verifying the certificate"
    );
}
