FROM alpine
RUN cat <<EOF>/tmp/out
hello
EOF>/tmp/out
