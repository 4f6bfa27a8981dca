FROM alpine
RUN <<EOF sh -e | tee /log.txt && echo done
echo piped
EOF
