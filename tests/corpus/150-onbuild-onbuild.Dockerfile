FROM alpine
ONBUILD ONBUILD RUN echo nested
