FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin app
WORKDIR /srv/www
COPY index.html ./
USER 10001:10001
EXPOSE 8080
CMD ["python3", "-m", "http.server", "80"]
