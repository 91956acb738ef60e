# shipcheck as a container image: a static (musl) binary on a distroless base, running as
# a non-root user with no shell. Build: `docker build -t shipcheck .` (see docs/in-cluster.md).
#
# No HEALTHCHECK: in Kubernetes the kubelet probes `shipcheck watch` on /healthz, and a
# one-shot `verify` Job has nothing to probe.

FROM docker.io/library/rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools \
 && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl -p shipcheck

# shipcheck-ignore dockerfile/healthcheck-missing: Kubernetes probes /healthz; a verify Job exits
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/target/x86_64-unknown-linux-musl/release/shipcheck /usr/local/bin/shipcheck
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/shipcheck"]
CMD ["--help"]
