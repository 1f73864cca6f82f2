export * from './module.ts';
export { WasmFormatError } from './errors.ts';
export { ByteReader, ByteWriter, copyLeb, sizeU32 } from './leb.ts';
export { Imm, Op, MiscOp, CatchKind, ValTypeCode, OPCODE_IMM, MISC_IMM, SIMD_IMM, ATOMIC_IMM } from './opcodes.ts';
export {
  rewriteExpr, rewriteConstExpr, rewriteConstExprToBytes, rewriteInstrs, skipExpr,
  readValType, writeValType, valTypeSize, refType, heapTypeOf, mapValType,
} from './code.ts';
export { readModule, SectionId, SECTION_ORDER } from './reader.ts';
export { writeModule, writeModuleTo, type ModuleSink } from './writer.ts';
