FROM alpine
RUN <<EOF
echo a \
EOF
RUN echo b \
    c
COPY <<EOF /x
\
EOF
