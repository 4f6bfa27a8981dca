FROM myimage
 
USER root
# Do something as root
RUN echo "i am root: $(whoami)"
# assuming the non-root user from myimage was 'java':
USER java
