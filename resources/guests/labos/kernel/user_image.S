/* The user program image (user/, linked at USER_TEXT and flattened by
 * objcopy), embedded page-aligned so its pages can be mapped into tasks. */
	.section .user_image,"a"
	.incbin	"user.bin"

	.section .note.GNU-stack,"",@progbits
