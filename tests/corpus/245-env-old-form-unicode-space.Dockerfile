FROM alpine
ENV A b c
LABEL "a b"
