FROM alpine
ONBUILD COPY <<EOF /etc/onbuild.txt
hello
EOF
