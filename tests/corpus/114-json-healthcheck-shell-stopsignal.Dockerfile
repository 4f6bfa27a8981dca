FROM nginx
HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
STOPSIGNAL SIGQUIT
