FROM alpine
RUN echo "<<X" <<EOF
body
EOF
