FROM alpine
COPY ["src dir/", "/dst dir/"]
ADD ["https://example.com/a.tar.gz", "/tmp/"]
VOLUME ["/data", "/logs"]
