ARG A
ARG B=1
ARG C="x y"
ARG D E=2 F
ARG G=
FROM alpine
ARG A
ARG H='single quoted'
