FROM alpine
ENV "A"=b
ENV 'C'="d"
