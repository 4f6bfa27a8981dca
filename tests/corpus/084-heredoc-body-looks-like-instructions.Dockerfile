FROM alpine
COPY <<Dockerfile /inner/Dockerfile
FROM scratch
RUN echo nested \
COPY . /
Dockerfile
RUN ls /inner
