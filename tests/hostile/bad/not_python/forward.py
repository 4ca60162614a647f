Dear grader, please find my answers below.
add_noise: sqrt(a) x0 + sqrt(1-a) eps
