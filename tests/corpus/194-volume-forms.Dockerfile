FROM alpine
VOLUME /data
VOLUME /data /logs /cache
VOLUME ["/var/lib/postgresql/data"]
VOLUME [ "/a", "/b" ]
VOLUME $HOME/data
