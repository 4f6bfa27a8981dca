FROM alpine
COPY --chown=jürgen a /home/jürgen/
