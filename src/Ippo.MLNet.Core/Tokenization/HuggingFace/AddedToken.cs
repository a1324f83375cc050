namespace Ippo.MLNet.Core.Tokenization.HuggingFace;

/// <summary>One entry of a tokenizer.json's added_tokens: matched in the text before any other step.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">Its text, e.g. "&lt;|im_start|&gt;".</param>
/// <param name="Special">Whether decoding may skip it (Hugging Face's skip_special_tokens).</param>
/// <param name="LStrip">Whether a match also takes the whitespace before it.</param>
/// <param name="RStrip">Whether a match also takes the whitespace after it.</param>
/// <param name="SingleWord">Whether it matches only where it is not part of a longer word.</param>
/// <param name="Normalized">Whether it is matched in the normalized text (true) or in the raw text (false).</param>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool SingleWord, bool Normalized);
