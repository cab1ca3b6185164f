# The container image of `assay` (the CLI and `assay serve`), built from this repository.
# Crates come from crates.io (the registry) and nothing else is fetched: the web assets are
# vendored, fonts are embedded, and no build step downloads. Build and run:
#   docker build -t assay .
#   docker run --rm -p 8080:8080 -v "$PWD/audit:/audit" assay
# The workspace is mounted at /audit; `assay demo --out /audit` fills an empty one.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# The release binary only; the test dependencies (Chromium, LibreOffice, Node) stay out.
RUN cargo build --release --locked -p assay-cli --bin assay \
 && strip target/release/assay

FROM debian:bookworm-slim
# CA certificates for collectors, OIDC discovery and S3 over TLS; tini reaps children and
# forwards SIGTERM, which `assay serve` answers with a graceful shutdown.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /audit assay \
 && mkdir /audit && chown assay /audit
COPY --from=build /src/target/release/assay /usr/local/bin/assay
USER assay
WORKDIR /audit
VOLUME /audit
EXPOSE 8080
# Health for an orchestrator: GET /healthz (the process) and /readyz (database and workspaces).
ENTRYPOINT ["/usr/bin/tini", "--", "assay"]
# Listen on every interface inside the container; TLS at a reverse proxy (--secure-cookies)
# or in the process (--tls-cert/--tls-key), as docs/server.md describes.
CMD ["-C", "/audit", "serve", "--listen", "0.0.0.0:8080"]
