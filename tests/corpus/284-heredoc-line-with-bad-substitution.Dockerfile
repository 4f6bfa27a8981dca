FROM alpine
RUN <<EOF echo ${}
RUN <<EOF echo "${X"
RUN <<EOF echo ${X:-default} ${Y?msg} $ $$
body
EOF
