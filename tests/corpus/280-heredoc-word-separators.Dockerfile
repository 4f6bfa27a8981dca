FROM alpine
RUN echo<<EOF
RUN echo <<EOF
body
EOF
