FROM alpine   
RUN echo hi 	 
ENV A=b  
LABEL x=y	
USER app  
WORKDIR /app 	
EXPOSE 80  
