# Empty compiler generated dependencies file for test_bert_model.
# This may be replaced when dependencies are built.
