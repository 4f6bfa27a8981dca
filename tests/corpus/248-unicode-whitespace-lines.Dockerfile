FROM alpine
  
　
 # comment indented by a no-break space
RUN echo a \
 
  # comment in continuation
    b
