FROM alpine
ENV A=xyz
ARG B=
