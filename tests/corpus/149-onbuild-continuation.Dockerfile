FROM alpine
ONBUILD RUN apt-get update \
    && apt-get install -y git
ONBUILD \
    COPY . /src
