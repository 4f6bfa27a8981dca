FROM alpine
RUN <<EOF
body
EOF 
