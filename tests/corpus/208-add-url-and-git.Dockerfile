FROM alpine
ADD https://example.com/archive.tar.gz /tmp/
ADD git@github.com:moby/buildkit.git /src
ADD app.tar.gz /opt/
