FROM alpine
RUN <<EOF
EOF
COPY <<EMPTY /empty.txt
EMPTY
