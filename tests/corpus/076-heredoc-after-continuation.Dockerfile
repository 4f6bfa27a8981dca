FROM alpine
RUN <<EOF \
    && echo done
echo body
EOF
