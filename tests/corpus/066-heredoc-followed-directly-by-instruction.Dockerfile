FROM alpine
RUN <<EOF
echo one
EOF
RUN <<EOF
echo two
EOF
CMD ["sh"]
