FROM alpine
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN echo one | cat
SHELL ["cmd", "/S", "/C"]
SHELL /bin/bash -c
