//! Views over a compose file for the `compose/*` rules: services, their fields,
//! environment entries, ports and volumes, with spans.

use shipcheck_source::yaml::Node as Y;
use shipcheck_source::{SourceFile, Span, TextRange};

use crate::nodes::ComposeFile;

/// One service of a compose file.
pub(crate) struct Service<'a> {
    /// The file.
    pub(crate) file: &'a SourceFile,
    /// The service name.
    pub(crate) name: &'a str,
    /// The name key (where missing fields are reported).
    pub(crate) key: &'a Y,
    /// The service mapping.
    pub(crate) node: &'a Y,
}

/// The services of every document of a compose file.
pub(crate) fn services<'a>(cf: &ComposeFile<'a>) -> Vec<Service<'a>> {
    let mut out = Vec::new();
    for d in cf.docs {
        let Some(svcs) = d.root.get("services") else {
            continue;
        };
        for (k, v) in svcs.entries() {
            if let (Some(name), true) = (k.as_str(), v.is_map()) {
                out.push(Service {
                    file: cf.file,
                    name,
                    key: k,
                    node: v,
                });
            }
        }
    }
    out
}

/// The span of a key/value entry (key start to value end).
pub(crate) fn entry_span(file: &SourceFile, key: &Y, value: &Y) -> Span {
    let end = value.range().end.max(key.range().end);
    file.span(TextRange::new(key.range().start, end))
}

impl<'a> Service<'a> {
    /// Where to report something the service lacks: its name.
    pub(crate) fn anchor(&self) -> Span {
        self.file.span(self.key.range())
    }

    /// A field of the service.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Y> {
        self.node.get(key)
    }

    /// The span of entry `key` inside `map`.
    pub(crate) fn entry(&self, map: &'a Y, key: &str) -> Option<Span> {
        map.get_entry(key).map(|(k, v)| entry_span(self.file, k, v))
    }

    /// The span of the key `key` inside `map` (for findings about a whole block).
    pub(crate) fn key_span(&self, map: &'a Y, key: &str) -> Option<Span> {
        map.get_entry(key).map(|(k, _)| self.file.span(k.range()))
    }

    /// The span of `node`.
    pub(crate) fn span(&self, node: &Y) -> Span {
        self.file.span(node.range())
    }

    /// True for a fragment that completes a service defined elsewhere (an override file
    /// entry with neither `image`, `build` nor `extends`): absent fields are not missing.
    pub(crate) fn is_partial(&self) -> bool {
        self.get("image").is_none() && self.get("build").is_none() && self.get("extends").is_none()
    }

    /// The image, if any.
    pub(crate) fn image(&self) -> Option<&'a str> {
        self.get("image").and_then(Y::as_str)
    }

    /// `environment` entries as (name, value, span of the entry), map or list form.
    /// A list item `KEY` without `=` has no value (taken from the shell).
    pub(crate) fn environment(&self) -> Vec<(String, Option<String>, Span)> {
        let mut out = Vec::new();
        let Some(env) = self.get("environment") else {
            return out;
        };
        if env.is_map() {
            for (k, v) in env.entries() {
                if let Some(name) = k.as_str() {
                    out.push((
                        name.to_owned(),
                        v.as_str().map(str::to_owned),
                        entry_span(self.file, k, v),
                    ));
                }
            }
        } else {
            for item in env.items() {
                if let Some(s) = item.as_str() {
                    let (name, value) = match s.split_once('=') {
                        Some((n, v)) => (n.trim(), Some(v.to_owned())),
                        None => (s.trim(), None),
                    };
                    out.push((name.to_owned(), value, self.span(item)));
                }
            }
        }
        out
    }

    /// Published ports: (host IP, host port, container port, protocol, span).
    pub(crate) fn ports(&self) -> Vec<PublishedPort> {
        let mut out = Vec::new();
        for item in self.get("ports").map(Y::items).unwrap_or_default() {
            let span = self.span(item);
            if item.is_map() {
                let target = item.get("target").and_then(Y::as_str).map(str::to_owned);
                let published = item.get("published").and_then(Y::as_str).map(str::to_owned);
                out.push(PublishedPort {
                    host_ip: item.get("host_ip").and_then(Y::as_str).map(str::to_owned),
                    published,
                    target: target.unwrap_or_default(),
                    protocol: item
                        .get("protocol")
                        .and_then(Y::as_str)
                        .unwrap_or("tcp")
                        .to_owned(),
                    span,
                });
            } else if let Some(s) = item.as_str() {
                out.push(parse_short_port(s, span));
            }
        }
        out
    }

    /// Volumes as (source, target, span); the source is `None` for anonymous volumes.
    pub(crate) fn volumes(&self) -> Vec<(Option<String>, String, Span)> {
        let mut out = Vec::new();
        for item in self.get("volumes").map(Y::items).unwrap_or_default() {
            let span = self.span(item);
            if item.is_map() {
                let source = item.get("source").and_then(Y::as_str).map(str::to_owned);
                let target = item
                    .get("target")
                    .and_then(Y::as_str)
                    .unwrap_or("")
                    .to_owned();
                out.push((source, target, span));
            } else if let Some(s) = item.as_str() {
                let parts: Vec<&str> = s.split(':').collect();
                match parts.as_slice() {
                    [t] => out.push((None, (*t).to_owned(), span)),
                    [src, t, ..] => out.push((Some((*src).to_owned()), (*t).to_owned(), span)),
                    [] => {}
                }
            }
        }
        out
    }
}

/// One `ports:` entry.
pub(crate) struct PublishedPort {
    /// Host IP (`127.0.0.1`), if given.
    pub(crate) host_ip: Option<String>,
    /// Host port or range, if published.
    pub(crate) published: Option<String>,
    /// Container port or range.
    pub(crate) target: String,
    /// `tcp` or `udp`.
    pub(crate) protocol: String,
    /// The entry.
    pub(crate) span: Span,
}

/// Parses `[IP:][HOST:]CONTAINER[/PROTO]` (IPv6 hosts in brackets).
fn parse_short_port(s: &str, span: Span) -> PublishedPort {
    let (body, protocol) = match s.rsplit_once('/') {
        Some((b, p)) => (b, p.to_owned()),
        None => (s, "tcp".to_owned()),
    };
    let (host_ip, rest) = if let Some(r) = body.strip_prefix('[') {
        match r.split_once("]:") {
            Some((ip, rest)) => (Some(ip.to_owned()), rest),
            None => (None, body),
        }
    } else {
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() >= 3 {
            let ip = parts[..parts.len() - 2].join(":");
            let rest_start = ip.len() + 1;
            (Some(ip), &body[rest_start.min(body.len())..])
        } else {
            (None, body)
        }
    };
    let (mut host_ip, (published, target)) = (
        host_ip,
        match rest.split_once(':') {
            Some((h, c)) => (Some(h.to_owned()), c.to_owned()),
            None => (None, rest.to_owned()),
        },
    );
    // `127.0.0.1:3001`: an IP and a container port (random host port).
    let published = match published {
        Some(h) if host_ip.is_none() && h.contains('.') => {
            host_ip = Some(h);
            None
        }
        other => other,
    };
    PublishedPort {
        host_ip,
        published: published.filter(|p| !p.is_empty()),
        target,
        protocol,
        span,
    }
}

/// True when the image is a database, cache or broker (by repository name).
pub(crate) fn is_datastore_image(image: &str) -> bool {
    let repo = image.split(['@', ':']).next().unwrap_or(image);
    let last = repo.rsplit('/').next().unwrap_or(repo);
    matches!(
        last,
        "postgres"
            | "postgis"
            | "mysql"
            | "mariadb"
            | "mongo"
            | "mongodb"
            | "redis"
            | "valkey"
            | "keydb"
            | "memcached"
            | "elasticsearch"
            | "opensearch"
            | "cassandra"
            | "couchdb"
            | "rabbitmq"
            | "mssql-server"
            | "cockroach"
            | "clickhouse-server"
            | "influxdb"
            | "neo4j"
            | "etcd"
            | "timescaledb"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipcheck_source::FileId;

    fn p(s: &str) -> (Option<String>, Option<String>, String) {
        let r = parse_short_port(s, Span::new(FileId(0), TextRange::empty(0)));
        (r.host_ip, r.published, r.target)
    }

    #[test]
    fn short_ports() {
        assert_eq!(p("5432"), (None, None, "5432".into()));
        assert_eq!(p("5432:5432"), (None, Some("5432".into()), "5432".into()));
        assert_eq!(
            p("127.0.0.1:5432:5432"),
            (Some("127.0.0.1".into()), Some("5432".into()), "5432".into())
        );
        assert_eq!(
            p("127.0.0.1:3001"),
            (Some("127.0.0.1".into()), None, "3001".into())
        );
        assert_eq!(
            p("[::1]:6379:6379/tcp"),
            (Some("::1".into()), Some("6379".into()), "6379".into())
        );
    }

    #[test]
    fn datastores() {
        assert!(is_datastore_image("postgres:16-alpine"));
        assert!(is_datastore_image("docker.io/bitnami/redis:7.2"));
        assert!(!is_datastore_image("ghcr.io/acme/api:1.0"));
    }
}
