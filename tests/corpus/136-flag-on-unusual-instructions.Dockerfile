FROM alpine
EXPOSE --foo 80
ENV --x A=b
WORKDIR --y /z
USER --z app
LABEL --l a=b
ARG --a B=1
