import TPEngine
print("tpsweep")
