import StreamCRM
print("benchmarks: not yet")
