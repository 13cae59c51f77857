"""Feedback service: 意见箱 messages, 举报电话 call records, 来信来访, replies, ratings."""
