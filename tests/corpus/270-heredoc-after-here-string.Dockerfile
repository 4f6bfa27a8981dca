FROM alpine
RUN cat <<<EOF <<EOF
x
EOF
