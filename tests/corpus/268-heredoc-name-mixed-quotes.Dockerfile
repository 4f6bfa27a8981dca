FROM alpine
RUN <<'EOF'"X"
x
EOFX
