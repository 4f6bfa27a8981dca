FROM alpine
RUN <<EOF
echo nelhere
echo ls ps 

EOF
RUN echo after
