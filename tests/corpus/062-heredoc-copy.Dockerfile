FROM alpine
COPY <<EOF /app/hello.txt
hello world
EOF
