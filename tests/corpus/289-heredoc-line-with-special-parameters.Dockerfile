FROM alpine
RUN <<EOF echo $$ ${$} ${@} ${*} ${#} ${!} ${?} ${-} ${@:-x} ${X:x} ${+word} $${
body
EOF
RUN <<EOF echo ${1a}
RUN <<EOF echo ${X:-${}}
RUN echo after
