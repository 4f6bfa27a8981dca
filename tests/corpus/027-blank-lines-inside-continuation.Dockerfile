FROM alpine
RUN echo one \

   
	
    two
