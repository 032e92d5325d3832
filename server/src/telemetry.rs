//! Logging (tracing, text or JSON) and Prometheus metrics.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::config::LogSettings;

pub fn init_logging(s: &LogSettings) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(&s.filter).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if s.json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The process-wide metrics recorder (installed once; later calls return the same handle).
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .expect("static bucket list is non-empty")
            .build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        metrics::describe_counter!(
            "http_requests_total",
            "HTTP requests by method, route and status"
        );
        metrics::describe_histogram!(
            "http_request_duration_seconds",
            "HTTP request latency by route"
        );
        metrics::describe_counter!("utvag_login_failures_total", "Failed sign-in attempts");
        handle
    })
}
